package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/stackc/stackc/compiler/registry"
)

// GoImportPath returns the import path the Go registry written into outDir
// (at outDir/metrics) has inside the Go module that encloses outDir: the
// module path of the nearest go.mod at or above outDir, joined with the
// directory's path below it. found is false when no go.mod encloses outDir;
// the registry then keeps its default import path and only builds when
// copied into a module at that path.
func GoImportPath(outDir string) (importPath string, found bool, err error) {
	dir, err := filepath.Abs(outDir)
	if err != nil {
		return "", false, err
	}
	rel := []string{registry.Dir}
	for {
		gomod := filepath.Join(dir, "go.mod")
		data, err := os.ReadFile(gomod)
		switch {
		case err == nil:
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", false, fmt.Errorf("%s has no module line", gomod)
			}
			for i, j := 0, len(rel)-1; i < j; i, j = i+1, j-1 {
				rel[i], rel[j] = rel[j], rel[i]
			}
			p := path.Join(append([]string{mod}, rel...)...)
			if err := module.CheckImportPath(p); err != nil {
				return "", false, fmt.Errorf("the registry in %s would have the import path %q, which Go refuses (%v); pass --go-import-path", outDir, p, err)
			}
			return p, true, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", false, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return registry.DefaultImportPath, false, nil
		}
		rel = append(rel, filepath.Base(dir))
		dir = parent
	}
}

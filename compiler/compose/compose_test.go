package compose_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	prommodel "github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/grafana"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// buildOut compiles the spec like `make build` and writes it to a
// temporary out/ directory.
func buildOut(t *testing.T, st *model.Stack) string {
	t.Helper()
	set, err := build.Compile(st)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{compose.Path, alertmanager.ConfigPath, grafana.DashboardProvisioning}
	for _, srv := range slo.PrometheusServers(st) {
		paths = append(paths, slo.PrometheusConfigPathOf(srv.Name))
	}
	for _, p := range paths {
		if _, ok := set[p]; !ok {
			t.Fatalf("make build does not write %s", p)
		}
	}
	dir := t.TempDir()
	testtree.WriteSet(t, dir, set)
	return dir
}

func loadProject(dir string, env map[string]string) (*types.Project, error) {
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, compose.Path)}},
		Environment: env,
	})
}

func TestComposeFileLoadsAndIsLockedDown(t *testing.T) {
	st := spectest.Repo(t, "")
	dir := buildOut(t, st)
	p, err := loadProject(dir, map[string]string{compose.GrafanaPasswordVar: "test-only"})
	if err != nil {
		t.Fatalf("compose-go does not load compose.yaml: %v", err)
	}

	want := []string{compose.AlertmanagerService, compose.GrafanaService, compose.InboxService, compose.PrometheusService}
	for _, svc := range st.Services {
		want = append(want, svc.Name, compose.LoadService(svc.Name))
	}
	slices.Sort(want)
	if got := p.ServiceNames(); !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}

	checkLockedDown(t, p, dir)

	// Grafana: anonymous viewers, an admin password from the environment only.
	g := p.Services[compose.GrafanaService]
	if v := g.Environment["GF_SECURITY_ADMIN_PASSWORD"]; v == nil || *v != "test-only" {
		t.Errorf("Grafana admin password is not the environment's: %v", v)
	}
	if v := g.Environment["GF_AUTH_ANONYMOUS_ORG_ROLE"]; v == nil || *v != "Viewer" {
		t.Errorf("anonymous role %v, want Viewer", v)
	}
}

// checkLockedDown checks every service of a loaded project: pinned images,
// no privileges, ports on loopback only, mounts that exist read-only, and
// healthy dependencies that have a healthcheck.
func checkLockedDown(t *testing.T, p *types.Project, dir string) {
	t.Helper()
	for name, s := range p.Services {
		t.Run(name, func(t *testing.T) {
			checkImage(t, dir, s)
			if s.Privileged {
				t.Error("privileged")
			}
			if !slices.Contains(s.CapDrop, "ALL") {
				t.Errorf("cap_drop %v lacks ALL", s.CapDrop)
			}
			for _, port := range s.Ports {
				if port.HostIP != "127.0.0.1" || port.Published == "" {
					t.Errorf("port %d published on %q:%q, want 127.0.0.1 only", port.Target, port.HostIP, port.Published)
				}
			}
			for _, v := range s.Volumes {
				checkVolume(t, p, dir, v)
			}
			for dep, cond := range s.DependsOn {
				if _, ok := p.Services[dep]; !ok {
					t.Errorf("depends on unknown service %s", dep)
				}
				if cond.Condition != types.ServiceConditionHealthy {
					t.Errorf("depends on %s with condition %q, want service_healthy", dep, cond.Condition)
				}
				if p.Services[dep].HealthCheck == nil {
					t.Errorf("depends on %s being healthy, which has no healthcheck", dep)
				}
			}
			if !strings.HasSuffix(name, "-load") && (s.HealthCheck == nil || len(s.HealthCheck.Test) == 0) {
				t.Error("no healthcheck")
			}
		})
	}
}

func checkImage(t *testing.T, dir string, s types.ServiceConfig) {
	t.Helper()
	image := s.Image
	if s.Build != nil {
		wantDockerfile := map[string]string{compose.DemoAppImage: "demoapp/Dockerfile", compose.FlaskAppImage: "demoapp/flaskapp/Dockerfile"}[image]
		if wantDockerfile == "" {
			t.Errorf("built image tagged %q, want %q or %q", image, compose.DemoAppImage, compose.FlaskAppImage)
		}
		// The build context is the parent of out/: the repository root.
		if rel, err := filepath.Rel(dir, s.Build.Context); err != nil || rel != ".." || s.Build.Dockerfile != wantDockerfile {
			t.Errorf("build context %s, dockerfile %s; want the repository root and %s", s.Build.Context, s.Build.Dockerfile, wantDockerfile)
		}
		root, err := tools.RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(s.Build.Dockerfile)))
		if err != nil {
			t.Errorf("the repository has no %s: %v", s.Build.Dockerfile, err)
			return
		}
		checkDockerfile(t, s.Build.Dockerfile, string(data))
		return
	}
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		t.Errorf("image %q has no tag", image)
		return
	}
	if tag := image[i+1:]; tag == "" || tag == "latest" {
		t.Errorf("image %q is not pinned", image)
	}
}

// checkDockerfile checks what an image Compose builds must have: every
// base image pinned (a tag other than latest, or a digest), and in the
// final stage a non-root USER and a HEALTHCHECK.
func checkDockerfile(t *testing.T, name, dockerfile string) {
	t.Helper()
	var user, healthcheck string
	stages := 0
	for _, line := range strings.Split(dockerfile, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			stages++
			user, healthcheck = "", "" // each stage starts as root, without a healthcheck
			image := fields[1]
			if strings.HasPrefix(image, "--") && len(fields) > 2 {
				image = fields[2]
			}
			if strings.Contains(image, "@sha256:") {
				continue
			}
			i := strings.LastIndex(image, ":")
			if i < 0 || strings.Contains(image[i:], "/") || image[i+1:] == "latest" {
				t.Errorf("%s: base image %s is not pinned to a tag or digest", name, image)
			}
		case "USER":
			user = fields[1]
		case "HEALTHCHECK":
			healthcheck = line
		}
	}
	if stages == 0 {
		t.Errorf("%s has no FROM", name)
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("%s: the final stage runs as %q, want a non-root USER", name, user)
	}
	if healthcheck == "" {
		t.Errorf("%s: the final stage has no HEALTHCHECK", name)
	}
}

func checkVolume(t *testing.T, p *types.Project, dir string, v types.ServiceVolumeConfig) {
	t.Helper()
	switch v.Type {
	case types.VolumeTypeVolume:
		if _, ok := p.Volumes[v.Source]; !ok {
			t.Errorf("volume %s is not declared", v.Source)
		}
	case types.VolumeTypeBind:
		rel, err := filepath.Rel(dir, v.Source)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("bind mount %s is outside out/", v.Source)
			return
		}
		if st, err := os.Stat(v.Source); err != nil || !st.Mode().IsRegular() {
			t.Errorf("mounted file %s does not exist in out/ (%v)", rel, err)
		}
		if !v.ReadOnly {
			t.Errorf("config %s mounted writable", rel)
		}
	default:
		t.Errorf("unexpected volume type %s", v.Type)
	}
}

func TestGrafanaPasswordHasNoDefault(t *testing.T) {
	dir := buildOut(t, spectest.Repo(t, ""))
	_, err := loadProject(dir, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), compose.GrafanaPasswordVar) {
		t.Fatalf("compose.yaml loads without %s: %v", compose.GrafanaPasswordVar, err)
	}
}

// TestContainerAddresses reads the configs Compose mounts: servers reach
// each other by service name, not loopback.
func TestContainerAddresses(t *testing.T) {
	st := spectest.Repo(t, "")
	dir := buildOut(t, st)
	p, err := loadProject(dir, map[string]string{compose.GrafanaPasswordVar: "x"})
	if err != nil {
		t.Fatal(err)
	}
	mounted := map[string]string{} // container path -> contents
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				data, err := os.ReadFile(v.Source)
				if err != nil {
					t.Fatal(err)
				}
				mounted[v.Target] = string(data)
			}
		}
	}
	am := mounted["/etc/alertmanager/alertmanager.yml"]
	if am == "" {
		t.Fatal("no alertmanager.yml mounted")
	}
	var urls []string
	collectURLs(t, am, &urls)
	if len(urls) == 0 {
		t.Fatal("alertmanager.yml has no webhook URL")
	}
	for _, u := range urls {
		if strings.Contains(u, "127.0.0.1") || strings.Contains(u, "localhost") {
			t.Errorf("container alertmanager.yml posts to loopback: %s", u)
		}
	}
	if !slices.Contains(urls, "http://inbox:9095/alerts") {
		t.Errorf("webhooks %v do not reach the inbox service", urls)
	}
	for _, l := range strings.Split(am, "\n") {
		if strings.Contains(l, "127.0.0.1") {
			t.Errorf("container alertmanager.yml names loopback: %s", l)
		}
	}

	// Prometheus scrapes the services and alerts the Alertmanager by name.
	var prom struct {
		Alerting struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(mounted["/etc/prometheus/prometheus.yml"]), &prom); err != nil {
		t.Fatal(err)
	}
	var amTargets, scrapeTargets []string
	for _, am := range prom.Alerting.Alertmanagers {
		for _, sc := range am.StaticConfigs {
			amTargets = append(amTargets, sc.Targets...)
		}
	}
	for _, job := range prom.ScrapeConfigs {
		for _, sc := range job.StaticConfigs {
			scrapeTargets = append(scrapeTargets, sc.Targets...)
		}
	}
	if !slices.Equal(amTargets, []string{"alertmanager:9093"}) {
		t.Errorf("Prometheus alerts %v, want alertmanager:9093", amTargets)
	}
	var wantScrape []string
	for _, svc := range st.Services {
		wantScrape = append(wantScrape, fmt.Sprintf("%s:%d", svc.Name, svc.Port))
	}
	if !slices.Equal(scrapeTargets, wantScrape) {
		t.Errorf("Prometheus scrapes %v, want %v (every service by its Compose name)", scrapeTargets, wantScrape)
	}
	if !anyMounted(mounted, "/etc/prometheus/rules/", ".yml") {
		t.Error("no rule file mounted")
	}

	// Grafana's data source is the prometheus service.
	var ds struct {
		Datasources []struct {
			URL string `yaml:"url"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal([]byte(mounted["/etc/grafana/provisioning/datasources/prometheus.yaml"]), &ds); err != nil {
		t.Fatal(err)
	}
	if len(ds.Datasources) != 1 || ds.Datasources[0].URL != "http://prometheus:9090" {
		t.Errorf("Grafana data sources %+v, want http://prometheus:9090", ds.Datasources)
	}
	if !anyMounted(mounted, "/var/lib/grafana/dashboards/stackc/", ".json") {
		t.Error("no dashboard mounted")
	}
}

// anyMounted reports whether a file dir/*ext is mounted.
func anyMounted(mounted map[string]string, dir, ext string) bool {
	for target := range mounted {
		if strings.HasPrefix(target, dir) && strings.HasSuffix(target, ext) {
			return true
		}
	}
	return false
}

// collectURLs gathers every "url" value of a YAML document.
func collectURLs(t *testing.T, doc string, out *[]string) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "url" {
					*out = append(*out, n.Content[i+1].Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&n)
}

func TestEmitIsDeterministic(t *testing.T) {
	st := spectest.Repo(t, "")
	built, err := build.Compile(st)
	if err != nil {
		t.Fatal(err)
	}
	a, err := artifact.Files(compose.Emit, st, built)
	if err != nil {
		t.Fatal(err)
	}
	b, err := artifact.Files(compose.Emit, st, built)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 1 || len(b) != 1 || a[0].Path != compose.Path || !bytes.Equal(a[0].Data, b[0].Data) {
		t.Errorf("two runs over the same artifacts differ or write more than %s", compose.Path)
	}
}

func TestRefusesBadServiceNames(t *testing.T) {
	for _, tt := range []struct{ name, wantErr string }{
		{"prometheus", "already the Prometheus server"},
		{"inbox", "already the alert inbox"},
		{"Shop", "not a valid Compose service name"},
	} {
		st := spectest.Repo(t, "")
		st.Services[0].Name = tt.name
		_, err := artifact.Files(compose.Emit, st, nil)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("service %q: err %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestMountedConfigsPassTheCheckers lays the bind mounts out as the
// containers see them and runs promtool and amtool on the result: the
// mounts are complete (rules, templates) and the container configs valid.
func TestMountedConfigsPassTheCheckers(t *testing.T) {
	dir := buildOut(t, spectest.Repo(t, ""))
	p, err := loadProject(dir, map[string]string{compose.GrafanaPasswordVar: "x"})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			data, err := os.ReadFile(v.Source)
			if err != nil {
				t.Fatal(err)
			}
			testtree.WriteFile(t, filepath.Join(root, filepath.FromSlash(v.Target)), data)
		}
	}
	for _, c := range []struct {
		tool string
		args []string
	}{
		{"promtool", []string{"check", "config", filepath.Join(root, "etc/prometheus/prometheus.yml")}},
		{"amtool", []string{"check-config", filepath.Join(root, "etc/alertmanager/alertmanager.yml")}},
	} {
		bin, err := tools.Built(c.tool)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err != nil {
			t.Errorf("%s %s: %v\n%s", c.tool, strings.Join(c.args, " "), err, out)
		}
		if c.tool == "promtool" && !strings.Contains(string(out), "rule files found") {
			t.Errorf("promtool found no rule files through the mounts:\n%s", out)
		}
	}
}

func TestRetentionCoversTheLongestPeriod(t *testing.T) {
	day := 24 * time.Hour
	stack := func(periods ...[]time.Duration) *model.Stack {
		st := &model.Stack{}
		for i, ps := range periods {
			svc := model.Service{Name: fmt.Sprintf("s%d", i)}
			for _, p := range ps {
				svc.SLOs = append(svc.SLOs, model.SLO{Period: model.Duration(p)})
			}
			st.Services = append(st.Services, svc)
		}
		return st
	}
	for _, tc := range []struct {
		name string
		st   *model.Stack
		want time.Duration
	}{
		{"no SLOs keeps the default", stack(), 15 * day},
		{"7d stays at the default", stack([]time.Duration{7 * day}), 15 * day},
		{"28d", stack([]time.Duration{28 * day}), 30 * day},
		{"longest across services", stack([]time.Duration{7 * day}, []time.Duration{28 * day, 30 * day}), 32 * day},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := compose.Retention(tc.st); got != tc.want {
				t.Errorf("Retention = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestPrometheusRetention checks the flag reaches the container and that
// Prometheus's own duration parser reads it back as Retention.
func TestPrometheusRetention(t *testing.T) {
	st := spectest.Repo(t, "")
	p, err := loadProject(buildOut(t, st), map[string]string{compose.GrafanaPasswordVar: "test-only"})
	if err != nil {
		t.Fatal(err)
	}
	const flag = "--storage.tsdb.retention.time="
	var got []string
	for _, arg := range p.Services[compose.PrometheusService].Command {
		if v, ok := strings.CutPrefix(arg, flag); ok {
			got = append(got, v)
		}
	}
	if len(got) != 1 {
		t.Fatalf("prometheus command has %d %s flags, want 1", len(got), flag)
	}
	d, err := prommodel.ParseDuration(got[0])
	if err != nil {
		t.Fatalf("Prometheus cannot parse %s%s: %v", flag, got[0], err)
	}
	if time.Duration(d) != compose.Retention(st) {
		t.Errorf("retention %s, want %s", got[0], model.Duration(compose.Retention(st)))
	}
}

// TestMountsTheComposeVersions: compose runs no other target; it mounts
// the Compose version of a config where the target wrote one under
// compose/, the native file otherwise, and refuses to run without the
// artifacts of the targets it mounts.
func TestMountsTheComposeVersions(t *testing.T) {
	st := spectest.Repo(t, "default")
	built, err := build.Compile(st)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Volumes []struct{ Source, Target string }
		}
	}
	if err := yaml.Unmarshal(built[compose.Path], &doc); err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, svc := range doc.Services {
		for _, v := range svc.Volumes {
			sources[v.Target] = v.Source
		}
	}
	for target, want := range map[string]string{
		"/etc/prometheus/prometheus.yml":                        "./compose/" + slo.PrometheusConfigPath,
		"/etc/alertmanager/alertmanager.yml":                    "./compose/" + slo.AlertmanagerConfigPath,
		"/etc/grafana/provisioning/datasources/prometheus.yaml": "./compose/" + grafana.DatasourceProvisioning,
		"/etc/grafana/provisioning/dashboards/stackc.yaml":      "./" + grafana.DashboardProvisioning,
		"/etc/alertmanager/templates/stackc.tmpl":               "./" + alertmanager.TemplatePath,
	} {
		if got := sources[target]; got != want {
			t.Errorf("%s is mounted from %q, want %q", target, got, want)
		}
		if _, ok := built[strings.TrimPrefix(want, "./")]; !ok {
			t.Errorf("%s is mounted from %s, which the build does not write", target, want)
		}
	}
	if _, err := artifact.Files(compose.Emit, st, nil); err == nil || !strings.Contains(err.Error(), "needs the artifacts") {
		t.Errorf("compose without the artifacts it mounts: %v", err)
	}
}

package verify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/encoding/protodelim"
)

// DefaultMaxBytes caps an exposition read from a URL or a file: far above
// any sane /metrics page (the generated registries expose a few hundred
// kilobytes at most), low enough that a wrong URL cannot exhaust memory.
const DefaultMaxBytes = 32 << 20

// DefaultTimeout bounds one fetch of an exposition.
const DefaultTimeout = 10 * time.Second

// Accept is the Accept header of a fetch: the formats Prometheus 3
// proposes by default (config.DefaultScrapeProtocols), with names escaped
// to underscores, the form the generated rules query, but the text format
// first. Every client library exposes the same families, types and labels
// in both, and expfmt's OpenMetrics decoder is a reference parser (an ABNF
// parse per line, tens of milliseconds a line) meant for conformance, not
// for pages of thousands of lines; an app that only speaks OpenMetrics is
// still read with it.
var Accept = string(expfmt.FmtText_1_0_0.WithEscapingScheme(model.UnderscoreEscaping)) + ";q=0.6," +
	string(expfmt.FmtText) + ";q=0.5," +
	string(expfmt.FmtOpenMetrics_1_0_0.WithEscapingScheme(model.UnderscoreEscaping)) + ";q=0.4," +
	string(expfmt.FmtOpenMetrics_0_0_1) + ";q=0.3,*/*;q=0.1"

// Exposition is a parsed metrics exposition.
type Exposition struct {
	// Format is the format it was parsed as.
	Format expfmt.Format
	// Families are its metric families by name. Counter families are
	// named with their _total suffix in every format, as the text format
	// names them and as the rules query them.
	Families map[string]*dto.MetricFamily
}

// Names returns the family names, sorted.
func (e *Exposition) Names() []string {
	names := make([]string, 0, len(e.Families))
	for n := range e.Families {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Parse parses an exposition with the Prometheus client libraries' parser
// (expfmt). contentType is the Content-Type the app sent ("" for a file):
// it selects the format; without one, or with one expfmt does not know,
// the content decides: OpenMetrics ends with "# EOF", anything else is
// read as the text format.
func Parse(data []byte, contentType string) (*Exposition, error) {
	format := expfmt.FmtUnknown
	if contentType != "" {
		format = expfmt.ResponseFormat(http.Header{"Content-Type": {contentType}})
	}
	if format == expfmt.FmtUnknown {
		format = sniff(data)
	}
	exp := &Exposition{Format: format, Families: map[string]*dto.MetricFamily{}}
	switch format.FormatType() {
	case expfmt.TypeTextPlain:
		// The text parser directly: quoted UTF-8 names (text format 1.0.0)
		// parse too, whatever the Content-Type's escaping parameter says.
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parsing the text format: %w", err)
		}
		for name, f := range fams {
			exp.Families[name] = f
		}
	case expfmt.TypeProtoDelim:
		// protodelim directly, bounded by the input's size: expfmt's
		// protobuf decoder sets no size limit and panics allocating the
		// length a corrupt prefix claims (found by FuzzVerifyExposition).
		r := bufio.NewReader(bytes.NewReader(data))
		opts := protodelim.UnmarshalOptions{MaxSize: int64(len(data))}
		for {
			var f dto.MetricFamily
			err := opts.UnmarshalFrom(r, &f)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("parsing the protobuf format: %w", err)
			}
			if !model.UTF8Validation.IsValidMetricName(f.GetName()) {
				return nil, fmt.Errorf("parsing the protobuf format: invalid metric name %q", f.GetName())
			}
			if _, dup := exp.Families[f.GetName()]; dup {
				return nil, fmt.Errorf("parsing the protobuf format: metric family %q appears twice", f.GetName())
			}
			if len(f.GetMetric()) > 0 {
				exp.Families[f.GetName()] = &f
			}
		}
	default:
		dec := expfmt.NewDecoder(bytes.NewReader(data), format)
		for {
			var f dto.MetricFamily
			err := dec.Decode(&f)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("parsing %s: %w", format, err)
			}
			if _, dup := exp.Families[f.GetName()]; dup {
				return nil, fmt.Errorf("parsing %s: metric family %q appears twice", format, f.GetName())
			}
			if len(f.GetMetric()) > 0 {
				exp.Families[f.GetName()] = &f
			}
		}
	}
	return exp, nil
}

// sniff picks the format of an exposition without a Content-Type: an
// OpenMetrics exposition must end with "# EOF".
func sniff(data []byte) expfmt.Format {
	if bytes.HasSuffix(bytes.TrimRight(data, "\n"), []byte("\n# EOF")) || bytes.Equal(bytes.TrimRight(data, "\n"), []byte("# EOF")) {
		return expfmt.FmtOpenMetrics_1_0_0
	}
	return expfmt.FmtText
}

// Fetch gets an exposition from rawURL with Prometheus's Accept header,
// within timeout and at most maxBytes of (decompressed) body. A URL that is
// not http(s), a failed request, a non-2xx answer or a larger body is an
// error naming the URL.
func Fetch(ctx context.Context, rawURL string, timeout time.Duration, maxBytes int64) (body []byte, contentType string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("--url %q: %w", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("--url %q: want an http or https URL such as http://127.0.0.1:8080/metrics", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	req.Header.Set("Accept", Accept)
	req.Header.Set("User-Agent", "stackc-verify")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", fmt.Errorf("GET %s: %s (want a 2xx answer with the metrics)", u.Redacted(), resp.Status)
	}
	body, err = ReadCapped(resp.Body, maxBytes)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// ReadCapped reads r to its end, failing when it holds more than maxBytes.
func ReadCapped(r io.Reader, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("the exposition is larger than %d bytes (--max-bytes)", maxBytes)
	}
	return data, nil
}

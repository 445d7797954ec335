package inbox

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"
)

// pageTemplate is the inbox's HTML page. html/template escapes every value,
// so label values and annotations cannot inject markup.
var pageTemplate = template.Must(template.New("inbox").Funcs(template.FuncMap{
	"labels": sortedLabels,
	"stamp":  func(t time.Time) string { return t.UTC().Format("15:04:05") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>stackc alert inbox</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.firing { color: #b00020; font-weight: bold; }
.resolved { color: #2e7d32; font-weight: bold; }
code { font-size: .85em; }
</style>
</head>
<body>
<h1>Alert inbox</h1>
<p>{{.Total}} alerts received; the latest {{len .Alerts}} are shown, newest first. JSON: <a href="/api/alerts">/api/alerts</a>.</p>
{{if .Alerts}}<table>
<tr><th>received (UTC)</th><th>status</th><th>alert</th><th>labels</th><th>summary</th><th>via</th><th>age</th></tr>
{{range .Alerts}}<tr>
<td>{{stamp .Received}}</td>
<td class="{{.Status}}">{{.Status}}</td>
<td>{{.Name}}</td>
<td>{{range labels .Labels}}<code>{{.}}</code><br>{{end}}</td>
<td>{{index .Annotations "summary"}}</td>
<td>{{.Path}} ({{.Receiver}})</td>
<td>{{.Age}}</td>
</tr>
{{end}}</table>{{else}}<p>No alerts yet.</p>{{end}}
</body>
</html>
`))

type pageData struct {
	Total  int
	Alerts []Entry
}

func (in *Inbox) page(w http.ResponseWriter) {
	in.mu.Lock()
	data := pageData{Total: in.seq, Alerts: make([]Entry, 0, len(in.entries))}
	for i := len(in.entries) - 1; i >= 0; i-- {
		data.Alerts = append(data.Alerts, in.entries[i])
	}
	in.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTemplate.Execute(w, data); err != nil {
		in.opts.Logger.Warn("rendering the inbox page", slog.Any("err", err))
	}
}

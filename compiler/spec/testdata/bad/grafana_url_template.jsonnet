// network.grafanaURL lands in alert annotations (Go templates) and the
// Compose file (${VAR} interpolation): template text is refused.
// exit: 1
// errors: 1
// want: grafana_url_template.jsonnet:9:26: network.grafanaURL: ~ Grafana URL "https://${GRAFANA_HOST}/{{ .Labels.team }}" holds template
local s = import 'stackc.libsonnet';

s.stack {
  network: { grafanaURL: 'https://${GRAFANA_HOST}/{{ .Labels.team }}' },
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

// Team names become label values and generated Go: a newline broke the
// build, and {{ }} is a template in Prometheus alert labels. Runbook links
// land in every alert, so only http(s) URLs are accepted.
// exit: 1
// errors: 3
// want: team_name.jsonnet:13:28: services[shop].team: ~ team "store\nfront" ~ unsafe ~ letters, digits
// want: team_name.jsonnet:14:19: services[shop].runbookURL: ~ "javascript:alert(1)" ~ http(s)
// want: team_name.jsonnet:17:31: services[billing].team: ~ "{{ $labels.x }}"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='store\nfront', port=8080) {
      runbookURL: 'javascript:alert(1)',
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
    },
    s.service('billing', team='{{ $labels.x }}', port=8081) {
      endpoints: [s.endpoint('POST', '/invoices', name='create_invoice')],
    },
    s.service('search', team='Search Team 2.0', port=8082) {
      runbookURL: 'https://runbooks.shop.internal/search',
      endpoints: [s.endpoint('GET', '/search', name='search')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

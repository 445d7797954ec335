// Alerts link to the runbook's #<alert> section; a #fragment in the base
// URL would make …#frag#AlertName links.
// exit: 1
// errors: 1
// want: runbook_fragment.jsonnet:13:19: services[shop].runbookURL: ~ runbook URL "https://runbooks.example.com/shop#top" has a #fragment, but
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      runbookURL: 'https://runbooks.example.com/shop#top',
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

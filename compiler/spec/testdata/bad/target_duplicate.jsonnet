// A target listed twice would be scraped twice under one job.
// exit: 1
// errors: 1
// want: target_duplicate.jsonnet:12:16: services[shop].targets: ~ scrape target "10.0.0.1:8080" of service "shop" is
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      targets: ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.1:8080'],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

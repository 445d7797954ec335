// Two services scraping one target: each SLO would read the other's traffic.
// localhost and 127.0.0.1 are the same host.
// exit: 1
// errors: 1
// want: target_shared.jsonnet:18:16: services[cart].targets: ~ scrape target "127.0.0.1:8080" of service "cart" is
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      targets: ['localhost:8080'],
    },
    s.service('cart', team='storefront', port=8081) {
      endpoints: [s.endpoint('GET', '/b', name='get_b')],
      slos: [],
      targets: ['127.0.0.1:8080'],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

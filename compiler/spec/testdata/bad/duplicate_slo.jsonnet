// exit: 1
// want: duplicate_slo.jsonnet:11:19: services[shop].slos[1].name: ~ duplicate SLO "cart"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [
        s.availability('cart', 'get_cart', 99.9),
        s.latency('cart', 'get_cart', '250ms', 99),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

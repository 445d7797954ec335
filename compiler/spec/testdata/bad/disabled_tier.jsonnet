// exit: 1
// want: disabled_tier.jsonnet:9:82: services[shop].slos[cart-availability].disabledTiers: ~ unknown tier "fast" ~ page-fast
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', 'get_cart', 99.9, disabledTiers=['fast'])],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

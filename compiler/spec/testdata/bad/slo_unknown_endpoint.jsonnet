// exit: 1
// want: slo_unknown_endpoint.jsonnet:9:54: services[shop].slos[checkout-availability].endpoints: ~ unknown endpoint "checkout" ~ get_cart
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('checkout-availability', ['get_cart', 'checkout'], 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

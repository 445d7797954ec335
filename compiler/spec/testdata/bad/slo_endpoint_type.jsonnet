// The endpoint of an SLO is a name or a list of names; the library says so at the call.
// exit: 1
// want: slo_endpoint_type.jsonnet:10:50: ~ endpoint must be an endpoint name or a list of names
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', 42, 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

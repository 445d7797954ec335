// exit: 1
// want: objective_0.jsonnet:9:72: services[shop].slos[cart-availability].objective: ~ objective 0 is not strictly between 0 and 100
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', 'get_cart', objective=0)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

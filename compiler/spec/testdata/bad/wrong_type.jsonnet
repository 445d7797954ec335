// Wrong types: a port as a string, an objective as a string. The objective's
// range is not checked once its type is wrong.
// exit: 1
// errors: 2
// want: wrong_type.jsonnet:11:47: services[shop].port: ~ whole number ~ "8080"
// want: wrong_type.jsonnet:13:62: services[shop].slos[cart-availability].objective: ~ want a number ~ "99.9"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port='8080') {
      endpoints: [s.endpoint('GET', '/cart', 'get_cart')],
      slos: [s.availability('cart-availability', 'get_cart', '99.9')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

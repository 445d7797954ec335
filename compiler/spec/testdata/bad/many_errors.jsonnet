// Every problem is reported at once, sorted by position.
// exit: 1
// errors: 4
// want: many_errors.jsonnet:13:30: services[shop].endpoints[get_cart].method: ~ "get"
// want: many_errors.jsonnet:14:27: services[shop].metrics[shop_orders].name: ~ must end in _total
// want: many_errors.jsonnet:15:62: services[shop].slos[cart-availability].objective: ~ objective 100
// want: many_errors.jsonnet:20:44: alerting.routes[0].receiver: ~ unknown receiver "pager"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('get', '/cart', name='get_cart')],
      metrics: [s.counter('shop_orders', 'Orders placed.')],
      slos: [s.availability('cart-availability', 'get_cart', 100)],
    },
  ],
  alerting: {
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ severity: 'page' }, 'pager')],
  },
}

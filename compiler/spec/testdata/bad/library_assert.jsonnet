// An assert in stackc.libsonnet is reported at the user's argument, not in the library.
// exit: 1
// want: library_assert.jsonnet:9:73: services[0].metrics[0].labels: ~ labels must be an object
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.counter('shop_orders_total', 'Orders placed.', labels=['card', 'paypal'])],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

// Static labels: one named like a generated alert label, one a metric's
// own label also has, one with an empty value; a route may match the rest.
// exit: 1
// errors: 3
// want: static_label_collision.jsonnet:11:36: labels.severity: ~ collides with a generated label ~ env, cluster
// want: static_label_collision.jsonnet:16:18: services[shop].labels.payment: ~ value "" ~ non-empty
// want: static_label_collision.jsonnet:19:76: services[shop].metrics[shop_orders_total].labels[payment]: ~ collides with the static label payment ~ exported_payment
local s = import 'stackc.libsonnet';

s.stack {
  labels: { env: 'prod', severity: 'high' },
  services: [
    s.service('shop', team='storefront') {
      labels: {
        region: 'eu-west-1',
        payment: '',
      },
      metrics: [
        s.counter('shop_orders_total', 'Orders placed.', labels={ payment: ['card'] }),
      ],
    },
  ],
  alerting: {
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ env: 'prod', region: 'eu-west-1' }, 'oncall')],
  },
}

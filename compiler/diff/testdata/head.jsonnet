// The head of the diff tests: base.jsonnet with one business metric added
// (a new panel), the objective raised (new alert thresholds) and pages sent
// to a new receiver.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('bakery', team='bakers', port=8080) {
      latencyBuckets: [0.05, 0.1, 0.25, 0.5, 1],
      endpoints: [
        s.endpoint('GET', '/bread', name='list_bread'),
        s.endpoint('POST', '/orders', name='order'),
      ],
      metrics: [
        s.counter('bakery_loaves_total', 'Loaves baked.', labels={ kind: ['rye', 'wheat'] }),
        s.gauge('bakery_ovens_hot', 'Ovens at baking temperature.'),
      ],
      slos: [
        s.availability('order-availability', endpoint='order', objective=99.9),
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: {
      pager: s.webhook('http://127.0.0.1:9095/pager'),
      tickets: s.webhook('http://127.0.0.1:9095/tickets'),
    },
    routes: [
      s.route({ severity: 'page' }, 'pager'),
    ],
  },
}

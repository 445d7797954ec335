// The base of the diff tests: a small bakery service.
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
      ],
      slos: [
        s.availability('order-availability', endpoint='order', objective=99.5),
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: {
      oncall: s.webhook('http://127.0.0.1:9095/alerts'),
      tickets: s.webhook('http://127.0.0.1:9095/tickets'),
    },
    routes: [
      s.route({ severity: 'page' }, 'oncall'),
    ],
  },
}

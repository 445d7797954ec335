// A small spec for the dashboard lint tests: one service with one business
// metric of every type and one SLO.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('cafe', team='baristas', port=8080) {
      latencyBuckets: [0.05, 0.1, 0.25, 0.5, 1],
      endpoints: [
        s.endpoint('POST', '/orders', name='order'),
        s.endpoint('GET', '/menu', name='menu'),
      ],
      metrics: [
        s.counter('cafe_coffees_total', 'Coffees served.', labels={ size: ['small', 'large'] }),
        s.gauge('cafe_queue_length', 'Customers waiting.'),
        s.histogram('cafe_brew_seconds', 'Brewing time.', buckets=[30, 60, 120]),
        s.summary('cafe_tip_euros', 'Tips per order.', objectives={ '0.5': 0.05 }),
      ],
      slos: [
        s.availability('order-availability', endpoint='order', objective=99.5),
      ],
    },
  ],
  alerting: {
    receivers: { desk: s.webhook('http://127.0.0.1:9095/alerts') },
  },
}

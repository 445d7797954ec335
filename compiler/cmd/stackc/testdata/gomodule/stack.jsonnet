// The spec of an application that lives in another Go module.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('orders', team='fulfilment', port=7101) {
      endpoints: [
        s.endpoint('POST', '/orders', name='create_order'),
        s.endpoint('GET', '/orders/{id}', name='get_order'),
      ],
      metrics: [
        s.counter('orders_created_total', 'Orders created.', labels={ channel: ['web', 'app'] }),
      ],
    },
  ],
  alerting: {
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
  },
}

// Several services with names, labels and values that do not map to Go
// identifiers directly: the registry must still generate clean, compiling
// packages.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('order-api', team='orders', port=7001) {
      nativeHistograms: true,
      latencyBuckets: [0.05, 0.1, 0.2, 0.4],
      statusCodes: [200, 202, 404, 500],
      endpoints: [
        s.endpoint('POST', '/orders', name='create_order', sim={ latency: '1500ms', latencyP99: '1m30s', errorRate: 0.01, weight: 2 }),
        s.endpoint('GET', '/orders/{id}/items/{item}', name='get_item'),
        s.endpoint('DELETE', '/orders/{id}', name='purge'),
      ],
      metrics: [
        s.counter('orders_region_total', 'Orders by region.', labels={ region: ['eu-west-1', 'us-east-1', 'EU west 1'], metrics: ['a', 'b'] }),
        s.gauge('queue_depth', 'Jobs waiting.', labels={ region: ['eu', 'us'], type: ['2xx', 'x-y', 'x_y'] }),
        s.histogram('batch_size_bytes', 'Size of a batch.', buckets=[1024, 65536, 1e6], labels={ type: ['2xx', 'x-y', 'x_y'] }),
        s.summary('job_duration_seconds', 'Job run time.', objectives={ '0.99': 0.001, '0.5': 0.05 }, labels={ 'default': ['yes', 'no'] }),
      ],
    },
    s.service('type', team='platform', port=7002) {
      endpoints: [
        s.endpoint('GET', '/', name='root'),
        s.endpoint('GET', '/metrics_page', name='new'),
      ],
    },
  ],
  alerting: {
    receivers: { inbox: s.webhook('http://127.0.0.1:9095/alerts') },
  },
}

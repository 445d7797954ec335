// A Python service beside a Go one: only the Python one gets a module.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('catalog-api', team='catalog', port=7301) {
      language: 'python',
      statusCodes: [200, 201, 404, 500],
      latencyBuckets: [0.05, 0.1, 0.5],
      endpoints: [
        s.endpoint('GET', '/items', name='list_items', sim={ latency: '20ms', errorRate: 0.001 }),
        s.endpoint('GET', '/items/{id}', name='get_item'),
        s.endpoint('POST', '/items', name='create_item'),
        s.endpoint('GET', '/boom', name='boom'),
      ],
      metrics: [
        s.counter('catalog_searches_total', 'Searches.', labels={ kind: ['text', 'image'], region: ['eu-west', 'us'] }),
        s.gauge('catalog_items', 'Items in the catalog.'),
        s.histogram('catalog_item_price_euros', 'Prices.', buckets=[1, 10, 100]),
        s.summary('catalog_page_size', 'Items per page.', objectives={ '0.5': 0.05 }),
      ],
    },
    s.service('gateway', team='edge', port=7302) {
      endpoints: [s.endpoint('GET', '/', name='root')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

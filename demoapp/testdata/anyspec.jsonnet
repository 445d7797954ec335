// A spec unlike the committed one: several services, none named shop, with
// routes the demo app has no business logic for. The demo app must build
// with its registry in out/ and serve every endpoint of every service.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('payments', team='billing', port=7201) {
      statusCodes: [200, 201, 404],
      endpoints: [
        s.endpoint('GET', '/', name='index'),
        s.endpoint('POST', '/payments', name='pay', sim={ latency: '20ms', errorRate: 0.001 }),
        s.endpoint('GET', '/payments/{id}/refunds', name='list_refunds'),
        s.endpoint('DELETE', '/payments/{id}', name='cancel'),
      ],
      metrics: [
        s.counter('payments_total', 'Payments.', labels={ scheme: ['card', 'sepa'], outcome: ['ok', 'failed'] }),
        s.histogram('payment_amount_euros', 'Amounts.', buckets=[1, 10, 100]),
      ],
      slos: [
        s.availability('pay-availability', endpoint='pay', objective=99.9),
      ],
    },
    s.service('search', team='discovery', port=7202) {
      endpoints: [
        s.endpoint('GET', '/search', name='query', sim={ latency: '15ms', latencyP99: '60ms' }),
        s.endpoint('PUT', '/index/{doc}', name='index_doc'),
      ],
      metrics: [
        s.gauge('search_index_documents', 'Indexed documents.'),
        s.summary('search_hits', 'Hits per query.', objectives={ '0.5': 0.05 }),
      ],
      slos: [
        s.latency('query-latency', endpoint='query', threshold='100ms', objective=99),
      ],
    },
    s.service('media-api', team='discovery', port=7203) {
      endpoints: [
        s.endpoint('POST', '/uploads', name='upload'),
        s.endpoint('PATCH', '/uploads/{id}', name='rename'),
      ],
    },
  ],
  alerting: {
    receivers: {
      billing: s.webhook('http://127.0.0.1:9095/billing'),
      discovery: s.webhook('http://127.0.0.1:9095/discovery'),
    },
    defaultReceiver: 'discovery',
    routes: [
      s.route({ team: 'billing' }, 'billing'),
    ],
  },
}

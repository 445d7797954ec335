// The demo stack: an online shop (Go) and its catalog search (Python/Flask),
// each paging its own team. `make build` compiles this file into out/.
local s = import 'stackc.libsonnet';

s.stack {
  // Worst-case number of series the whole stack may expose.
  seriesBudget: 5000,
  // Static labels: every alert and every scraped series carries them, and
  // routes, groupBy and inhibitions may use them.
  labels: { env: 'production', region: 'eu-west-1' },

  services: [
    s.service('shop', team='storefront', port=8080) {
      runbookURL: 'https://runbooks.shop.internal/storefront',
      // Bounds of http_request_duration_seconds; every latency SLO threshold is one of them.
      latencyBuckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5],
      statusCodes: [200, 201, 400, 404, 409, 500, 503],

      endpoints: [
        s.endpoint('GET', '/products', name='list_products', sim={ latency: '30ms', latencyP99: '80ms', errorRate: 0.001, weight: 5 }),
        s.endpoint('GET', '/products/{id}', name='get_product', sim={ latency: '40ms', latencyP99: '90ms', errorRate: 0.001, weight: 8 }),
        s.endpoint('GET', '/cart', name='get_cart', sim={ latency: '20ms', errorRate: 0.0005, weight: 3 }),
        s.endpoint('POST', '/cart/items', name='add_to_cart', sim={ latency: '60ms', errorRate: 0.002, weight: 2 }),
        s.endpoint('POST', '/checkout', name='checkout', sim={ latency: '180ms', latencyP99: '280ms', errorRate: 0.0005, weight: 1 }),
        s.endpoint('GET', '/orders/{id}', name='get_order', sim={ latency: '35ms', errorRate: 0.001, weight: 1 }),
      ],

      // Business metrics beside the automatic per-endpoint RED metrics.
      metrics: [
        s.counter('shop_orders_total', 'Orders placed, by payment method.', labels={ payment: ['card', 'paypal', 'invoice'] }),
        s.counter('shop_payment_failures_total', 'Payments the provider declined.', labels={ payment: ['card', 'paypal', 'invoice'], reason: ['declined', 'timeout'] }),
        s.gauge('shop_carts_open', 'Carts with at least one item and no order yet.'),
        s.histogram('shop_order_value_euros', 'Value of placed orders.', buckets=[5, 10, 25, 50, 100, 250, 500]),
        s.summary('shop_cart_items', 'Items in a cart at checkout.', objectives={ '0.5': 0.05, '0.9': 0.01 }),
      ],

      slos: [
        s.availability('checkout-availability',
                       endpoint='checkout',
                       objective=99.9,
                       description='Checkout answers without a server error.'),
        s.latency('checkout-latency',
                  endpoint='checkout',
                  threshold='300ms',
                  objective=99,
                  description='Checkout answers within 300ms.'),
        s.availability('catalog-availability',
                       endpoint=['list_products', 'get_product'],
                       objective=99.5,
                       period='28d',
                       description='Browsing the catalog works.'),
        s.latency('catalog-latency',
                  endpoint=['list_products', 'get_product'],
                  threshold='100ms',
                  objective=95,
                  period='7d',
                  description='Catalog pages answer within 100ms.'),
        // A raw SLO over the business counters: every order attempt is an
        // order placed or a payment the provider declined.
        s.raw('payment-success',
              bad='sum(rate(shop_payment_failures_total[{{.window}}]))',
              total='sum(rate(shop_orders_total[{{.window}}])) + sum(rate(shop_payment_failures_total[{{.window}}]))',
              objective=99,
              description='Payments go through.'),
      ],
    },
    // The Flask service: same spec, Python registry (out/python/catalog_metrics.py),
    // served by demoapp/flaskapp; its team gets its own pages.
    s.service('catalog', team='discovery', port=8081) {
      language: 'python',
      runbookURL: 'https://runbooks.shop.internal/discovery',
      latencyBuckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      statusCodes: [200, 201, 400, 404, 500, 503],

      endpoints: [
        s.endpoint('GET', '/search', name='search', sim={ latency: '25ms', latencyP99: '70ms', errorRate: 0.0005, weight: 6 }),
        s.endpoint('GET', '/recommendations/{user}', name='recommend', sim={ latency: '40ms', errorRate: 0.001, weight: 3 }),
        s.endpoint('POST', '/reviews', name='post_review', sim={ latency: '50ms', errorRate: 0.001, weight: 1 }),
      ],

      metrics: [
        s.counter('catalog_searches_total', 'Searches, by kind of query.', labels={ kind: ['text', 'image'] }),
        s.gauge('catalog_index_documents', 'Documents in the search index.'),
        s.histogram('catalog_search_results', 'Results per search.', buckets=[1, 10, 50, 100]),
      ],

      slos: [
        // Search is part of browsing: the objective and period of the shop's catalog-availability.
        s.availability('search-availability',
                       endpoint='search',
                       objective=99.5,
                       period='28d',
                       description='Search answers without a server error.'),
        s.latency('search-latency',
                  endpoint='search',
                  threshold='100ms',
                  objective=99,
                  description='Search answers within 100ms.'),
      ],
    },
  ],

  // Prometheus Operator resources, dashboards for the Grafana sidecar and the
  // demo app for a cluster: kubectl apply --server-side -k out/kubernetes
  kubernetes: {
    namespace: 'shop',
    // kube-prometheus-stack's Prometheus selects monitors and rules by its release label.
    labels: { release: 'kube-prometheus-stack' },
  },

  // Rule groups packed for a Mimir or Cortex tenant (20 rules per group, 70
  // groups), and the tenant's Alertmanager configuration: out/ruler/
  ruler: {},

  alerting: {
    defaultReceiver: 'tickets',
    receivers: {
      // The demo's alert inbox; in production a webhook bridge or s.pagerduty(routingKeyFile=...).
      oncall: s.webhook('http://127.0.0.1:9095/alerts'),
      tickets: s.webhook('http://127.0.0.1:9095/tickets'),
      'discovery-pages': s.webhook('http://127.0.0.1:9095/discovery-pages'),
      'storefront-email': s.email(to='storefront@shop.example',
                                  from='alerts@shop.example',
                                  smarthost='smtp.shop.example:587',
                                  authUsername='alerts',
                                  authPasswordFile='/etc/alertmanager/secrets/smtp-password'),
    },
    routes: [
      // The catalog's team is paged on its own receiver; every other page goes to on-call.
      s.route({ severity: 'page', team: 'discovery' }, 'discovery-pages'),
      s.route({ severity: 'page' }, 'oncall'),
      s.route({ severity: 'ticket', team: 'storefront' }, 'storefront-email', continue=true),
      s.route({ severity: 'ticket' }, 'tickets'),
    ],
  },
}

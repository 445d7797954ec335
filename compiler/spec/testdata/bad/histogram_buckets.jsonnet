// Histogram buckets: none at all, or not increasing.
// exit: 1
// errors: 2
// want: histogram_buckets.jsonnet:12:71: services[shop].metrics[shop_order_value_euros].buckets: ~ no buckets
// want: histogram_buckets.jsonnet:13:75: services[shop].metrics[shop_basket_size_items].buckets: ~ strictly increasing
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [
        s.histogram('shop_order_value_euros', 'Order value.', buckets=[]),
        s.histogram('shop_basket_size_items', 'Items per order.', buckets=[1, 5, 5, 2]),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

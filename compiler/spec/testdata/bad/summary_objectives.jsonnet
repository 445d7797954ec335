// Summary objectives are keyed by quantiles written like "0.99".
// exit: 1
// want: summary_objectives.jsonnet:9:76: ~ objective key p99 must be a quantile
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.summary('shop_cart_items', 'Items per cart.', objectives={ p99: 0.001 })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

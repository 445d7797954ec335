// An SLO lists each endpoint once; one with every tier disabled builds
// but never alerts, which is worth a warning.
// exit: 1
// errors: 1
// want: warning: slo_duplicate_endpoint.jsonnet:14:79: services[shop].slos[cart-latency].disabledTiers: ~ disables every tier ~ never alerts
// want: slo_duplicate_endpoint.jsonnet:13:50: services[shop].slos[cart-availability].endpoints: ~ lists endpoint "get_cart" twice ~ once
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', ['get_cart', 'get_cart'], 99.9),
             s.latency('cart-latency', 'get_cart', '250ms', 99, disabledTiers=['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'])],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

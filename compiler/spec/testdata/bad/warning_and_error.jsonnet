// Warnings are printed, not fatal: an objective of 90% cannot fire the
// 14.4x page; the build fails only for the error beside it.
// exit: 1
// errors: 1
// want: warning: warning_and_error.jsonnet:13:62: services[shop].slos[cart-availability].objective: ~ tier page-fast can never fire ~ disabledTiers
// want: warning_and_error.jsonnet:12:80: services[shop].endpoints[get_cart].sim.errorRate: ~ error rate 2 is not between 0 and 1
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart', sim={ errorRate: 2 })],
      slos: [s.availability('cart-availability', 'get_cart', 90)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

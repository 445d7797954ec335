// A 5m scrape leaves one sample in the page's 5m rate window, and a 5m
// evaluation refreshes the fast rule group once per window: the SLO's alerts
// would fire late or never.
// exit: 1
// errors: 2
// want: coarse_intervals.jsonnet:11:19: scrapeInterval: ~ fewer than 4 samples ~ 5m rate window ~ 1m15s
// want: coarse_intervals.jsonnet:12:23: evaluationInterval: ~ fewer than 5 times ~ evaluate at most every 1m
local s = import 'stackc.libsonnet';

s.stack {
  scrapeInterval: '5m',
  evaluationInterval: '5m',
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', 'get_cart', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

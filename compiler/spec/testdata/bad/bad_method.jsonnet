// exit: 1
// want: bad_method.jsonnet:8:30: services[shop].endpoints[get_cart].method: ~ "FETCH" ~ GET, HEAD, POST
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('FETCH', '/cart', name='get_cart')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

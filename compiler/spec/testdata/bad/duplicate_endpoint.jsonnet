// Two endpoints with one name, and two endpoints serving the same route.
// exit: 1
// errors: 2
// want: duplicate_endpoint.jsonnet:13:42: services[shop].endpoints[1].name: ~ duplicate endpoint "get_cart"
// want: duplicate_endpoint.jsonnet:14:27: services[shop].endpoints[show_cart].route: ~ GET /cart ~ already served by endpoint get_cart
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [
        s.endpoint('GET', '/cart', name='get_cart'),
        s.endpoint('POST', '/cart', name='get_cart'),
        s.endpoint('GET', '/cart', name='show_cart'),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

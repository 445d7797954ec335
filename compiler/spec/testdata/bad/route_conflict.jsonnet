// net/http's ServeMux refuses two patterns a request could match when
// neither is more specific (GET /a/b matches both below), and the app
// serves /metrics, /healthz and /readyz itself.
// exit: 1
// errors: 3
// want: route_conflict.jsonnet:16:27: services[shop].endpoints[get_a].route: ~ GET /a/{y} overlaps GET /{x}/b of endpoint get_b ~ more specific
// want: route_conflict.jsonnet:18:27: services[shop].endpoints[metrics].route: ~ route /metrics is reserved
// want: route_conflict.jsonnet:19:28: services[shop].endpoints[health].route: ~ route /healthz is reserved
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [
        s.endpoint('GET', '/{x}/b', name='get_b'),
        s.endpoint('GET', '/a/{y}', name='get_a'),
        s.endpoint('POST', '/a/{y}', name='post_a'),
        s.endpoint('GET', '/metrics', name='metrics'),
        s.endpoint('POST', '/healthz', name='health'),
        s.endpoint('GET', '/a/b', name='get_ab'),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

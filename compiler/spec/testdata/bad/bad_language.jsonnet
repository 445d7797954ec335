// A service language stackc generates no registry for.
// exit: 1
// want: bad_language.jsonnet:9:17: services[shop].language: ~ not one stackc generates a registry for ~ language: 'python'
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      language: 'ruby',
      endpoints: [s.endpoint('GET', '/cart', 'get_cart')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

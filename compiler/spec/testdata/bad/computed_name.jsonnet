// A value built by a comprehension is written once, in the comprehension's
// body: the error points there and names the element by its path.
// exit: 1
// want: computed_name.jsonnet:12:51: services[shop].endpoints[Checkout].name: ~ endpoint name "Checkout" is not valid ~ lower case
local s = import 'stackc.libsonnet';

local pages = ['cart', 'Checkout'];

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/' + p, name=p) for p in pages],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

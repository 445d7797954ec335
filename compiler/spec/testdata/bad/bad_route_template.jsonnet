// Route templates: an unclosed parameter, a missing leading slash, a repeated parameter.
// exit: 1
// errors: 3
// want: bad_route_template.jsonnet:13:27: services[shop].endpoints[get_product].route: ~ "{id" ~ neither a literal nor a {parameter}
// want: bad_route_template.jsonnet:14:27: services[shop].endpoints[get_cart].route: ~ must start with /
// want: bad_route_template.jsonnet:15:27: services[shop].endpoints[get_item].route: ~ {id} appears twice
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [
        s.endpoint('GET', '/products/{id', name='get_product'),
        s.endpoint('GET', 'cart', name='get_cart'),
        s.endpoint('GET', '/carts/{id}/items/{id}', name='get_item'),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

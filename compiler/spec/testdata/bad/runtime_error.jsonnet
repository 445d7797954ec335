// An error raised in the spec's own code keeps Jsonnet's location.
// exit: 1
// want: runtime_error.jsonnet:9:109: ~ no port for shop
local s = import 'stackc.libsonnet';

local ports = { cart: 8081 };

s.stack {
  services: [s.service('shop', team='storefront', port=if std.objectHas(ports, 'shop') then ports.shop else error 'no port for shop')],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}

// exit: 1
// want: not_object.jsonnet:4:1: ~ must evaluate to an object ~ got a list
local s = import 'stackc.libsonnet';
[s.service('shop', team='storefront')]

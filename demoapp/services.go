package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/out/metrics"
	"github.com/stackc/stackc/runtime/instrument"
)

// serviceSelector is the --service and --stack flags of a command: which
// service of which spec. Without --stack the services are those of the
// registry built into the binary (out/metrics); with it, those of a
// compiled spec's stack.json, so one binary serves any spec.
type serviceSelector struct {
	service, stack string
}

func addServiceFlags(fs *flag.FlagSet, usage string) *serviceSelector {
	sel := &serviceSelector{}
	fs.StringVar(&sel.service, "service", "", usage+" (default: the spec's first service)")
	fs.StringVar(&sel.stack, "stack", "", "`stack.json` of a compiled spec (stackc build -o DIR writes DIR/stack.json); default: the spec built into demoapp")
	return sel
}

// lookup returns the selected service.
func (sel *serviceSelector) lookup() (instrument.Service, error) {
	services := metrics.Services
	if sel.stack != "" {
		var err error
		if services, err = loadServices(sel.stack); err != nil {
			return instrument.Service{}, err
		}
	}
	if len(services) == 0 {
		return instrument.Service{}, fmt.Errorf("the spec has no services")
	}
	if sel.service == "" {
		return services[0], nil
	}
	var names []string
	for _, s := range services {
		if s.Name == sel.service {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return instrument.Service{}, fmt.Errorf("unknown service %q (services of the spec: %v)", sel.service, names)
}

// loadServices reads the services of a compiled spec's stack.json.
func loadServices(path string) ([]instrument.Service, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st model.Stack
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]instrument.Service, len(st.Services))
	for i, svc := range st.Services {
		out[i] = ServiceOf(svc)
	}
	return out, nil
}

// ServiceOf describes a service of the model the way its generated package's
// Service variable does.
func ServiceOf(svc model.Service) instrument.Service {
	s := instrument.Service{
		Name: svc.Name, Team: svc.Team, Port: svc.Port, AdminPort: svc.AdminPort,
		StatusCodes: svc.StatusCodes, LatencyBuckets: svc.LatencyBuckets, NativeHistograms: svc.NativeHistograms,
	}
	for _, ep := range svc.Endpoints {
		s.Endpoints = append(s.Endpoints, instrument.Endpoint{
			Name: ep.Name, Method: ep.Method, Route: ep.Route,
			Sim: instrument.Sim{
				Latency: time.Duration(ep.Sim.Latency), LatencyP99: time.Duration(ep.Sim.LatencyP99),
				ErrorRate: ep.Sim.ErrorRate, Weight: ep.Sim.Weight,
			},
		})
	}
	for _, m := range svc.Metrics {
		d := instrument.MetricDesc{Name: m.Name, Help: m.Help, Type: string(m.Type), Buckets: m.Buckets}
		for _, l := range m.Labels {
			d.Labels = append(d.Labels, instrument.LabelDesc{Name: l.Name, Values: l.Values})
		}
		if len(m.Objectives) > 0 {
			d.Objectives = map[float64]float64{}
			for _, o := range m.Objectives {
				d.Objectives[o.Quantile] = o.Error
			}
		}
		s.Metrics = append(s.Metrics, d)
	}
	return s
}

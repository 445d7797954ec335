package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// WaitAlerting waits until the alerting path is whole: every Prometheus
// sends to every Alertmanager (each lists all of them as active), and the
// peers of an Alertmanager cluster have gossiped into one cluster (each
// reports status "ready" and every peer as a member). Until then a page
// could be notified once per peer that does not yet see the others'
// notification log.
func (s *Stack) WaitAlerting(ctx context.Context) error {
	var want []string
	for _, am := range s.AlertmanagerPeers {
		want = append(want, am.URL+"/api/v2/alerts")
	}
	slices.Sort(want)
	for _, srv := range s.PrometheusReplicas {
		if err := Poll(ctx, 250*time.Millisecond, srv.Name+"'s Alertmanagers", func() error {
			var data struct {
				Active []struct {
					URL string `json:"url"`
				} `json:"activeAlertmanagers"`
			}
			if err := promGetAt(ctx, srv.URL, "/api/v1/alertmanagers", nil, &data); err != nil {
				return err
			}
			var got []string
			for _, a := range data.Active {
				got = append(got, a.URL)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				return fmt.Errorf("%s sends to %v, want %v", srv.Name, got, want)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if len(s.AlertmanagerPeers) < 2 {
		s.status("Prometheus sends to the Alertmanager")
		return nil
	}
	for _, am := range s.AlertmanagerPeers {
		if err := Poll(ctx, 250*time.Millisecond, am.Name+"'s cluster", func() error {
			c, err := ClusterStatus(ctx, am.URL)
			if err != nil {
				return err
			}
			if c.Status != "ready" || len(c.Peers) != len(s.AlertmanagerPeers) {
				return fmt.Errorf("%s's cluster is %s with %d of %d peers: %s", am.Name, c.Status, len(c.Peers), len(s.AlertmanagerPeers), c)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	s.status("every Prometheus sends to all %d Alertmanagers, which have formed one cluster", len(s.AlertmanagerPeers))
	return nil
}

// Cluster is an Alertmanager's view of its cluster (/api/v2/status).
type Cluster struct {
	// Status is "ready" once gossip has settled, "settling" before, and
	// "disabled" for a single Alertmanager.
	Status string `json:"status"`
	Peers  []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"peers"`
}

func (c Cluster) String() string {
	var peers []string
	for _, p := range c.Peers {
		peers = append(peers, p.Address)
	}
	return c.Status + " [" + strings.Join(peers, " ") + "]"
}

// ClusterStatus returns the cluster as the Alertmanager at base sees it.
func ClusterStatus(ctx context.Context, base string) (Cluster, error) {
	var body struct {
		Cluster Cluster `json:"cluster"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v2/status", nil)
	if err != nil {
		return body.Cluster, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return body.Cluster, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return body.Cluster, fmt.Errorf("%s/api/v2/status: %s", base, resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	return body.Cluster, err
}

# dropship-operator. `make help` lists the targets. Every tool the build needs is installed
# by this Makefile into bin/ (gitignored), pinned to the versions below.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

# Tool versions: the one place they are pinned (control-plane versions live in hack/k8s/go.mod).
CONTROLLER_TOOLS_VERSION ?= v0.23.0
KUSTOMIZE_VERSION        ?= v5.8.2
GOLANGCI_LINT_VERSION    ?= v2.15.0
HELM_VERSION             ?= v3.22.0
KUBECONFORM_VERSION      ?= v0.8.0

ROOT      := $(abspath .)
BIN       := $(ROOT)/bin
K8S_BIN   := $(BIN)/k8s
CONTROLLER_GEN := $(BIN)/controller-gen
KUSTOMIZE      := $(BIN)/kustomize
GOLANGCI_LINT  := $(BIN)/golangci-lint
HELM           := $(BIN)/helm
KUBECONFORM    := $(BIN)/kubeconform
KUBECTL        := $(K8S_BIN)/kubectl

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMG     ?= ghcr.io/dropship-operator/dropship-operator:$(VERSION)
LDFLAGS := -s -w -X github.com/dropship-operator/dropship-operator/internal/version.Version=$(VERSION)

# PostgreSQL for the store tests: the server this machine (and CI) runs. Tests that need it
# fail loudly when the variable is missing in CI.
DROPSHIP_TEST_POSTGRES_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export DROPSHIP_TEST_POSTGRES_DSN
export KUBEBUILDER_ASSETS := $(K8S_BIN)

GO_TEST_FLAGS ?= -count=1 -timeout=30m
FUZZ_TIME     ?= 10s
BENCH_ORDERS  ?= 20000

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from the API types and markers.
	$(CONTROLLER_GEN) rbac:roleName=dropship-operator-manager crd:allowDangerousTypes=true paths="./api/..." paths="./controllers/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## go fmt.
	go fmt ./...

.PHONY: vet
vet: ## go vet.
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (config in .golangci.yml).
	$(GOLANGCI_LINT) run ./...

.PHONY: verify
verify: generate manifests helm-sync fmt ## Regenerate everything (code, CRDs, RBAC, chart copies) and fail if the tree changed.
	go mod tidy
	@if [ -n "$$(git status --porcelain)" ]; then echo "verify: the tree changed after regeneration:"; git status --porcelain; git --no-pager diff --stat; exit 1; fi

##@ Build

.PHONY: build
build: ## Build manager, dispatcher and dropship-sim into bin/.
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

.PHONY: run
run: manifests generate ## Run the manager against the cluster in $KUBECONFIG.
	go run ./cmd/manager

##@ Demo

DEMO_ORDERS ?= 10000
DEMO_EXIT   ?=

.PHONY: demo
demo: k8s-bins build ## Run the whole chain on this machine and tell its story (DEMO_ORDERS=10000; DEMO_EXIT=1 exits after the summary).
	DEMO_ORDERS=$(DEMO_ORDERS) DEMO_EXIT=$(DEMO_EXIT) go run ./hack/demo

##@ Test

.PHONY: test
test: k8s-bins chart-tools lint ## Run lint and every test (unit, envtest against a real API server, PostgreSQL, e2e, brief fuzzing).
	go test $(GO_TEST_FLAGS) ./...
	$(MAKE) fuzz

.PHONY: fuzz
fuzz: ## Run each fuzz target briefly (FUZZ_TIME each).
	@set -e; for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
	  dir=$$(dirname $$spec); \
	  for f in $$(grep -h '^func Fuzz' $$spec | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$dir $$f"; go test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZ_TIME) $$dir; \
	  done; \
	done

.PHONY: bench
bench: ## Benchmark the dispatcher against 10 simulated suppliers (SQLite, PostgreSQL, latency, RSS, allocation, wrk ceiling) into BENCHMARKS.md.
	go run ./test/dispatcherbench -orders $(BENCH_ORDERS) -repeat 3 -write BENCHMARKS.md

.PHONY: bench-operator
bench-operator: k8s-bins ## Benchmark the operator: 1,000 Suppliers + 100 RoutingPolicies on a local API server (time, writes/object, peak RSS).
	go test ./cmd/manager -run='^$$' -bench='^BenchmarkOperatorScale$$' -benchtime=1x -timeout=10m -v

##@ Tools (installed into bin/)

.PHONY: k8s-bins
k8s-bins: $(K8S_BIN)/kube-apiserver $(K8S_BIN)/etcd $(K8S_BIN)/kubectl ## Build kube-apiserver, etcd and kubectl (first time 10–15 min).

$(K8S_BIN)/kube-apiserver $(K8S_BIN)/etcd $(K8S_BIN)/kubectl:
	hack/build-k8s.sh $(K8S_BIN)

$(CONTROLLER_GEN):
	GOBIN=$(BIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

$(KUSTOMIZE):
	GOBIN=$(BIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

$(HELM):
	GOBIN=$(BIN) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(KUBECONFORM):
	GOBIN=$(BIN) go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)

##@ Packaging

CONTAINER_TOOL ?= docker

.PHONY: docker-build
docker-build: ## Build the image (needs a Docker engine; not run in CI). IMG=… VERSION=…
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the image.
	$(CONTAINER_TOOL) push $(IMG)

##@ Helm chart and installer

CHART      := charts/dropship-operator
SCHEMAS    := $(BIN)/schemas
K8S_SWAGGER = $(shell go env GOMODCACHE)/k8s.io/kubernetes@v1.37.2/api/openapi-spec/swagger.json
# Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), for validating the chart offline.
PROMETHEUS_OPERATOR_VERSION ?= v0.85.0

.PHONY: helm-sync
helm-sync: ## Sync the chart with its sources: CRDs, RBAC rules, values.schema.json, README values table.
	rm -f $(CHART)/crds/*.yaml
	cp config/crd/bases/*.yaml $(CHART)/crds/
	go run ./hack/helm rbac -role config/rbac/role.yaml -out $(CHART)/rbac/manager-rules.yaml
	go run ./hack/helm docs -chart $(CHART)

.PHONY: helm-lint
helm-lint: $(HELM) ## helm lint --strict with the default values and each ci/*-values.yaml.
	$(HELM) lint --strict $(CHART)
	@for f in $(CHART)/ci/*-values.yaml; do $(HELM) lint --strict $(CHART) -f $$f; done

.PHONY: kubeconform-schemas
kubeconform-schemas: $(SCHEMAS)/.stamp ## Generate JSON schemas (Kubernetes 1.37, our CRDs, Prometheus Operator's) for offline kubeconform.

$(SCHEMAS)/.stamp: hack/kubeconform/main.go $(wildcard config/crd/bases/*.yaml)
	cd hack/k8s && go mod download k8s.io/kubernetes
	rm -rf $(SCHEMAS) && mkdir -p $(SCHEMAS)
	promcrds=$$(go mod download -json github.com/prometheus-operator/prometheus-operator@$(PROMETHEUS_OPERATOR_VERSION) | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/example/prometheus-operator-crd; \
	go run ./hack/kubeconform -swagger $(K8S_SWAGGER) -out $(SCHEMAS)/k8s \
	  -crds config/crd/bases -crds $$promcrds -crds-out $(SCHEMAS)/crds && \
	mkdir -p $(SCHEMAS)/monitoring-crds && \
	cp $$promcrds/monitoring.coreos.com_servicemonitors.yaml $$promcrds/monitoring.coreos.com_prometheusrules.yaml $(SCHEMAS)/monitoring-crds/
	touch $@

.PHONY: chart-tools
chart-tools: $(HELM) $(KUBECONFORM) $(KUSTOMIZE) kubeconform-schemas ## Build what the chart and installer tests need.

.PHONY: build-installer
build-installer: $(KUSTOMIZE) ## Write dist/install.yaml (CRDs, RBAC, manager) for one `kubectl apply -f`. IMG=…
	mkdir -p dist
	rm -rf dist/.kustomize && mkdir -p dist/.kustomize && cp -r config dist/.kustomize/
	cd dist/.kustomize/config/manager && $(KUSTOMIZE) edit set image controller=$(IMG)
	$(KUSTOMIZE) build dist/.kustomize/config/default | sed 's|--dispatcher-image=.*|--dispatcher-image=$(IMG)|' > dist/install.yaml
	rm -rf dist/.kustomize

.PHONY: test-chart
test-chart: k8s-bins chart-tools ## Test the chart and the installer (lint, kubeconform, install on a real API server).
	go test $(GO_TEST_FLAGS) ./test/chart/... ./hack/helm/... ./hack/kubeconform/...

# runbook.ops developer entry points. `make test` works on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: help demo test lint sanity units system integration molecule packaging bench infra-start infra-stop infra-status build

help:
	@echo "make demo          the whole blue-green deploy on this machine (nginx, no cluster)"
	@echo "make test          install what is missing, start the test systems, run every test phase"
	@echo "make lint|sanity|units|system|integration|molecule|packaging   one phase (with setup and test systems)"
	@echo "make bench         the benchmarks (ratios against baselines run alongside)"
	@echo "make infra-start|infra-stop|infra-status             the real systems the tests use"
	@echo "make build         build the collection tarball"

demo:
	bash $(ROOT)/examples/demo.sh

test:
	bash $(ROOT)/tests/run.sh

lint sanity units system integration molecule packaging bench:
	bash $(ROOT)/tests/run.sh $@

infra-start infra-stop infra-status:
	bash $(ROOT)/tests/infra/infra.sh $(subst infra-,,$@)

build:
	ansible-galaxy collection build --force --output-path $(ROOT)/.build $(ROOT)

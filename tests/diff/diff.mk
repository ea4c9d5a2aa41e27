# Differential testing of Strata against redis-server (tests/diff/README.md). Included from the
# top Makefile. Both targets only check that the server binary exists: they never build it.
#
#   make diff-smoke                      # seeded, bounded (about 60-110 s), RESP2 then RESP3
#   make fuzz-diff DIFF_SECONDS=600      # long run with a random seed (printed first)
#   make diff-smoke DIFF_SERVER=build/san-address-undefined/strata-server
#
# DIFF_ARGS is passed on to run.py (e.g. DIFF_ARGS="--json build/diff.json -v").

DIFF_DIR            := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
DIFF_SERVER         ?= $(or $(SERVER),build/strata-server)
DIFF_PYTHON         ?= python3
DIFF_SEED           ?= 1
DIFF_SMOKE_COMMANDS ?= 40000
DIFF_SMOKE_SECONDS  ?= 100
DIFF_SECONDS        ?= 3600
DIFF_FUZZ_SEED      ?=
DIFF_ARGS           ?=

define DIFF_NEED_SERVER
	@test -x "$(DIFF_SERVER)" || { echo "diff: no server binary at $(DIFF_SERVER): build it first" \
	  "(make), or set DIFF_SERVER=path" >&2; exit 2; }
endef

.PHONY: diff-smoke fuzz-diff
diff-smoke:
	$(DIFF_NEED_SERVER)
	STRATA_SERVER="$(abspath $(DIFF_SERVER))" $(DIFF_PYTHON) $(DIFF_DIR)/run.py --seed $(DIFF_SEED) \
	  --commands $(DIFF_SMOKE_COMMANDS) --seconds $(DIFF_SMOKE_SECONDS) --resp both $(DIFF_ARGS)

fuzz-diff:
	$(DIFF_NEED_SERVER)
	STRATA_SERVER="$(abspath $(DIFF_SERVER))" $(DIFF_PYTHON) $(DIFF_DIR)/run.py \
	  $(if $(DIFF_FUZZ_SEED),--seed $(DIFF_FUZZ_SEED)) --commands 1000000000 \
	  --seconds $(DIFF_SECONDS) --resp both --shrink-seconds 60 --max-shrink 100 $(DIFF_ARGS)

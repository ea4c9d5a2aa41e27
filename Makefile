# Strata build. `make` builds build/strata-server; `make run` starts it; `make test` runs every
# test; `make bench` runs the benchmarks; `make fuzz` runs the fuzzers for a while.
# SAN=address,undefined (or SAN=thread) builds everything sanitized into its own build dir.

CXX      ?= g++
SAN      ?=
OPT      ?= -O2
BUILD    ?= build$(if $(SAN),/san-$(subst $(comma),-,$(SAN)))
comma    := ,

DEFS     := -DSPDLOG_SHARED_LIB -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL
CXXFLAGS += -std=c++20 $(OPT) -g -Wall -Wextra -Werror -pthread -Isrc $(DEFS) -MMD -MP \
            -I/usr/include/lua5.1
LDFLAGS  += -pthread
ifneq ($(SAN),)
# GCC 12 reports false array-bounds/stringop warnings in inlined code when sanitizers are on.
# UBSan aborts on the first report (by default it prints and carries on, and a test passes).
CXXFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -Wno-array-bounds -Wno-stringop-overflow \
            $(if $(findstring undefined,$(SAN)),-fno-sanitize-recover=undefined)
LDFLAGS  += -fsanitize=$(SAN)
endif

# Modules, in dependency order; each becomes a static library (docs/design.md §1):
# main -> commands -> {server, script}; server -> {net, resp, types}; script -> resp;
# types -> store -> util. store, resp and net never include each other or anything above
# them; server never includes commands or script.
MODULES  := util store types resp net script server commands
LIB_util   :=
LIB_store  := -lxxhash -llz4 -lzstd
LIB_types  :=
LIB_resp   :=
LIB_net    := -luv
LIB_script := -llua5.1 -lcrypto
LIB_server := -lspdlog -lfmt
LIB_commands :=
SYSLIBS  := $(foreach m,$(MODULES),$(LIB_$(m))) -ldl -lrt

src_of    = $(wildcard src/$(1)/*.cc)
obj_of    = $(patsubst %.cc,$(BUILD)/%.o,$(1))
lib_of    = $(BUILD)/lib$(1).a
ALL_LIBS := $(foreach m,$(MODULES),$(call lib_of,$(m)))
# Link order: dependents before dependencies.
LINK_LIBS := $(foreach m,commands server script net resp types store util,$(call lib_of,$(m)))

SERVER   := $(BUILD)/strata-server
UNIT_DIRS := $(notdir $(wildcard tests/unit/*))
UNIT_BINS := $(foreach d,$(UNIT_DIRS),$(BUILD)/tests/unit_$(d))
INTEG_BIN := $(BUILD)/tests/integration_tests
GTEST    := -lgtest -lgtest_main

.PHONY: all run test unit integration deps clean bench fuzz format
all: $(SERVER)

deps:
	@bash scripts/deps.sh

# An empty object keeps `ar` happy for a module that has no sources yet.
$(BUILD)/empty.o:
	@mkdir -p $(BUILD)
	echo '' | $(CXX) -x c++ -c - -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

define MODULE_RULES
$(call lib_of,$(1)): $(call obj_of,$(call src_of,$(1))) $(BUILD)/empty.o
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call MODULE_RULES,$(m))))

$(SERVER): $(BUILD)/src/main.o $(ALL_LIBS)
	$(CXX) $(LDFLAGS) $< $(LINK_LIBS) $(SYSLIBS) -o $@

# One unit-test binary per tests/unit/<dir>/, linked only against the libraries that module
# depends on (so a module's tests build while another module is half-written).
DEPS_util   := util
DEPS_store  := store util
DEPS_types  := types store util
DEPS_resp   := resp util
DEPS_net    := net util
DEPS_server := server net resp types store util
DEPS_commands := commands server script net resp types store util
DEPS_script := script resp util
define UNIT_RULES
$(BUILD)/tests/unit_$(1): $(call obj_of,$(wildcard tests/unit/$(1)/*.cc)) $(foreach m,$(DEPS_$(1)),$(call lib_of,$(m)))
	@mkdir -p $$(dir $$@)
	$(CXX) $(LDFLAGS) $(call obj_of,$(wildcard tests/unit/$(1)/*.cc)) $(foreach m,$(DEPS_$(1)),$(call lib_of,$(m))) $(SYSLIBS) $(GTEST) -o $$@
endef
$(foreach d,$(UNIT_DIRS),$(eval $(call UNIT_RULES,$(d))))

$(INTEG_BIN): $(call obj_of,$(wildcard tests/integration/*.cc)) $(call lib_of,util)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $(call obj_of,$(wildcard tests/integration/*.cc)) $(call lib_of,util) -lhiredis $(GTEST) -o $@

unit: deps $(UNIT_BINS)
	@bash scripts/run-tests.sh $(UNIT_BINS)

integration: deps $(SERVER) $(INTEG_BIN)
	@STRATA_SERVER=$(abspath $(SERVER)) bash scripts/run-tests.sh $(INTEG_BIN)

# Everything CI runs: short fuzz runs, a seeded differential run against redis-server
# (tests/diff, on the sanitized server), unit tests, integration tests against the real
# binary, then the unit tests and the whole integration suite again against an
# AddressSanitizer + UBSan build (CI_SAN): the integration harness fails a test whose server
# died or printed a sanitizer report. `make test SAN=...` runs everything once, with that
# build only.
NPROC := $(shell nproc 2>/dev/null || echo 2)
CI_SAN := address,undefined
CI_SAN_DIR := build/san-$(subst $(comma),-,$(CI_SAN))
CI_SAN_UNIT_BINS := $(foreach d,$(UNIT_DIRS),$(CI_SAN_DIR)/tests/unit_$(d))
test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all $(UNIT_BINS) $(INTEG_BIN) fuzz-build
	$(if $(SAN),,@$(MAKE) --no-print-directory -j$(NPROC) SAN=$(CI_SAN) $(CI_SAN_UNIT_BINS) \
	  $(CI_SAN_DIR)/strata-server)
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory diff-smoke \
	  DIFF_SERVER=$(if $(SAN),$(SERVER),$(CI_SAN_DIR)/strata-server)
	@STRATA_SERVER=$(abspath $(SERVER)) bash scripts/run-tests.sh $(UNIT_BINS) $(INTEG_BIN) \
	  $(if $(SAN),,$(CI_SAN_UNIT_BINS) "STRATA_SERVER=$(abspath $(CI_SAN_DIR)/strata-server) $(INTEG_BIN)")

run: deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(SERVER)
	@mkdir -p data
	$(SERVER) conf/strata.conf

# QUICK=1: a short run for development (about 2 minutes); the full run is for reports.
bench: all
	@bash scripts/deps.sh --bench
	@$(MAKE) --no-print-directory $(BUILD)/engine_bench
	@QUICK=$(QUICK) bash scripts/bench.sh

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build

include fuzz/fuzz.mk
include bench/bench.mk
include tests/diff/diff.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

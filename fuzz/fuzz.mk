# libFuzzer targets (docs/design.md §8.5), included from the top Makefile.
#   make fuzz-build           builds $(FUZZ_BUILD)/<target> for every target with clang++
#   make fuzz                 runs each target for FUZZ_SECONDS (default 60)
#   make fuzz-smoke           runs each target for FUZZ_SMOKE_SECONDS (default 10); `make test`
# Each run works on a copy of fuzz/corpus/<target>/ in $(FUZZ_BUILD)/corpus/<target>/ (the
# committed seeds are never modified); a crash leaves $(FUZZ_BUILD)/artifacts/<target>-crash-*
# and the log $(FUZZ_BUILD)/<target>.log. Reproduce with: $(FUZZ_BUILD)/<target> <artifact>.
# Needs clang++ and the libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
#
# A target is fuzz/<target>.cc plus the sources it tests, listed in FUZZ_SRCS_<target>; to add
# one, append to FUZZ_TARGETS and define its FUZZ_SRCS_ and FUZZ_DEPS_ (and FUZZ_LIBS_, the
# system libraries it links, if any) before this runs.
#
# Targets: resp_parser_fuzz, inline_fuzz (src/resp), glob_fuzz (src/util), and one per reader
# of on-disk bytes in src/store: wal_reader_fuzz (log::Reader + WriteBatch), sst_reader_fuzz
# (Table, blocks, bloom filter, decompression), manifest_fuzz (VersionEdit + VersionSet::Recover).

FUZZ_CXX           ?= clang++
FUZZ_BUILD         ?= build/fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_CXXFLAGS      ?= -std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
                      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc
# -timeout: an input that runs longer is reported as a hang; -rss_limit_mb: as a memory blow-up.
FUZZ_RUNFLAGS      ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

FUZZ_TARGETS += resp_parser_fuzz inline_fuzz glob_fuzz
FUZZ_SRCS_resp_parser_fuzz := src/resp/parser.cc
FUZZ_DEPS_resp_parser_fuzz := src/resp/parser.h fuzz/fuzz_check.h
FUZZ_SRCS_inline_fuzz      := src/resp/parser.cc
FUZZ_DEPS_inline_fuzz      := src/resp/parser.h fuzz/fuzz_check.h
FUZZ_SRCS_glob_fuzz        := src/util/glob.cc
FUZZ_DEPS_glob_fuzz        := src/util/glob.h fuzz/fuzz_check.h

# The store targets share fuzz/store_fuzz_util.h (in-memory files and Env). Their FUZZ_SRCS_
# are the link closure of what they call; their FUZZ_DEPS_ are all store and util headers
# (their include closures are long and change as the store does).
FUZZ_TARGETS += wal_reader_fuzz sst_reader_fuzz manifest_fuzz
FUZZ_STORE_DEPS := fuzz/store_fuzz_util.h fuzz/fuzz_check.h $(wildcard src/store/*.h src/util/*.h)
FUZZ_SRCS_wal_reader_fuzz := $(addprefix src/store/,log_reader.cc log_writer.cc write_batch.cc \
                               memtable.cc arena.cc dbformat.cc)
FUZZ_DEPS_wal_reader_fuzz := $(FUZZ_STORE_DEPS)
FUZZ_SRCS_sst_reader_fuzz := $(addprefix src/store/,table.cc table_builder.cc block.cc \
                               block_builder.cc format.cc bloom.cc cache.cc dbformat.cc \
                               two_level_iterator.cc)
FUZZ_DEPS_sst_reader_fuzz := $(FUZZ_STORE_DEPS)
FUZZ_LIBS_sst_reader_fuzz := -llz4 -lzstd
FUZZ_SRCS_manifest_fuzz   := $(addprefix src/store/,version_set.cc version_edit.cc log_reader.cc \
                               log_writer.cc filename.cc dbformat.cc two_level_iterator.cc \
                               merger.cc table_cache.cc table.cc cache.cc block.cc format.cc \
                               bloom.cc block_builder.cc)
FUZZ_DEPS_manifest_fuzz   := $(FUZZ_STORE_DEPS)
FUZZ_LIBS_manifest_fuzz   := -llz4 -lzstd

FUZZ_BINS = $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))

.PHONY: fuzz-build fuzz fuzz-smoke

fuzz-build: $(FUZZ_BINS)

define FUZZ_TARGET_RULE
$(FUZZ_BUILD)/$(1): fuzz/$(1).cc $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) fuzz/$(1).cc $(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(t))))

# $(call FUZZ_RUN,seconds): runs every target in turn and prints one line each, e.g.
# "fuzz glob_fuzz: 1234567 runs in 10 s, corpus 321 inputs". Stops at the first failure.
define FUZZ_RUN
	@set -e; for t in $(FUZZ_TARGETS); do \
	  work=$(FUZZ_BUILD)/corpus/$$t; log=$(FUZZ_BUILD)/$$t.log; \
	  mkdir -p $$work $(FUZZ_BUILD)/artifacts; \
	  if [ -d fuzz/corpus/$$t ]; then cp -n fuzz/corpus/$$t/* $$work/ 2>/dev/null || true; fi; \
	  if $(FUZZ_BUILD)/$$t -max_total_time=$(1) $(FUZZ_RUNFLAGS) \
	       -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $$work >$$log 2>&1; then \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -1); \
	    echo "fuzz $$t: $${runs:-?} runs in $(1) s, corpus $$(ls $$work | wc -l) inputs"; \
	  else \
	    tail -n 40 $$log; \
	    echo "fuzz $$t: FAILED (log $$log, artifacts $(FUZZ_BUILD)/artifacts/$$t-*)"; \
	    exit 1; \
	  fi; \
	done
endef

fuzz: fuzz-build
	$(call FUZZ_RUN,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-build
	$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

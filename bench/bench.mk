# Engine benchmark build, included from the top Makefile (`include bench/bench.mk`), which
# defines BUILD, CXX, CXXFLAGS, LDFLAGS, lib_of and the $(BUILD)/%.o rule, so include it after
# those (e.g. beside `include fuzz/fuzz.mk`). Without the include:
#   make -f Makefile -f bench/bench.mk build/engine_bench
# The bench scripts always build that way; the guard below makes a second reading a no-op.
#
# LevelDB and RocksDB (Debian's libleveldb-dev, librocksdb-dev: scripts/deps.sh --bench) are
# linked into $(BUILD)/engine_bench only, never into the server.
#
#   make bench-engine     builds engine_bench and runs scripts/bench-engine.sh (ARGS=--quick)

ifndef STRATA_BENCH_MK
STRATA_BENCH_MK := 1

ENGINE_BENCH       = $(BUILD)/engine_bench
ENGINE_BENCH_LIBS  = $(call lib_of,store) $(call lib_of,util)

$(ENGINE_BENCH): $(BUILD)/bench/engine_bench.o $(ENGINE_BENCH_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(ENGINE_BENCH_LIBS) -lxxhash -llz4 -lzstd -lleveldb -lrocksdb \
	  -ldl -lrt -o $@

.PHONY: bench-engine
bench-engine: $(ENGINE_BENCH)
	@bash scripts/bench-engine.sh $(ARGS)

endif

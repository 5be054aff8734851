# Runs once before all suites: remember what the host has, so that the last
# suite (zz-leaks.bats) can check the tests left nothing behind.
setup_suite() {
	load helpers
	snapshot "$BATS_RUN_TMPDIR/host-before"
}

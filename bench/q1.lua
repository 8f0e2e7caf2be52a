-- wrk: POST one GraphQL document, taken from the environment (bench/run sets BENCH_QUERY).
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY")

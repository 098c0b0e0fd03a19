# The two commands a newcomer needs: `make demo` runs LearnLoop, `make test` proves it.
.PHONY: demo test bootstrap infra-up infra-down lint

demo:
	bash deploy/local/demo.sh $(ARGS)

test:
	bash deploy/local/test.sh $(ARGS)

bootstrap:
	bash deploy/local/bootstrap.sh

infra-up: bootstrap
	.venv/bin/learnloop infra up

infra-down:
	.venv/bin/learnloop infra down

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# Benchmarks on the local Kafka and PostgreSQL (`make infra-up` first); results in
# benchmarks/results/. ARGS: --quick | --smoke, --scale N, --only NAME (see benchmarks/README.md).
.PHONY: bench
bench:
	.venv/bin/python -m benchmarks $(ARGS)

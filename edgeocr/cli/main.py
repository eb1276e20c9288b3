"""Entry point of the ``edgeocr`` console script.

Each verb lives in its own module under ``edgeocr.cli`` and is registered here. Errors
derived from ``EdgeOCRError`` become one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import sys

import click

from edgeocr import __version__
from edgeocr.errors import EdgeOCRError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edgeocr")
def cli() -> None:
    """PP-OCRv2 from trained weights to ARM devices: models, OCR, eval, compression,
    conversion to Paddle-Lite, deployment and on-device benchmarks."""


def _register() -> None:
    from edgeocr.cli import (android_cmd, bench_cmd, build_runner_cmd, compress_cmd, convert_cmd, data_cmd, deploy_cmd,
                             devices_cmd, eval_cmd, models_cmd, ocr_cmd, report_cmd, runtimes_cmd, verify_cmd)

    for module in (models_cmd, ocr_cmd, data_cmd, eval_cmd, compress_cmd, convert_cmd, verify_cmd, devices_cmd,
                   deploy_cmd, bench_cmd, report_cmd, build_runner_cmd, runtimes_cmd, android_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Run the CLI, turning ``EdgeOCRError`` into a clean one-line error."""
    try:
        cli.main(standalone_mode=False)
    except EdgeOCRError as e:
        click.echo(f"edgeocr: error: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("edgeocr: aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()

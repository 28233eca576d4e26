from pathlib import Path

from routing import SERVICE
from routing.adapters.encrypted_columns import ENCRYPTED_COLUMNS
from routing.app import create_app
from routing.settings import RoutingSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=RoutingSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
        encrypted_columns=ENCRYPTED_COLUMNS,
    )


if __name__ == "__main__":
    main()

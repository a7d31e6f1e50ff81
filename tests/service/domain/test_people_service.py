import pytest

from service.errors import Conflict, InvalidInput


@pytest.mark.parametrize("name", ["the team", "Team", "everyone", "We", "TBD"])
def test_a_group_cannot_be_recorded_as_a_person(services, name):
    with pytest.raises(InvalidInput, match="names a group"):
        services.people.create_person(name=name)


def test_team_names_and_emails_are_unique(services):
    services.people.create_team(name="Payments")
    with pytest.raises(Conflict):
        services.people.create_team(name="Payments")
    services.people.create_person(name="Ann", email="ann@example.org")
    with pytest.raises(Conflict):
        services.people.create_person(name="Ann B", email="ann@example.org")

"""The demo community's volunteers: Auntie Zhou and Wu, approved, in teams, covering buildings, a week of shifts."""
from datetime import datetime, time, timedelta

from board.models import Building, User
from board.volunteers import service

# login: teams, buildings covered, when they can help, a daily shift (local time), on duty now
VOLUNTEERS = {
    "zhou": (("medicine", "groceries", "calls_company"), ("Building 2", "Building 3"),
             "周一到周六上午 Mornings, Monday to Saturday", (time(6), time(13)), True),
    "wu": (("groceries", "parcels_garbage", "gate"), ("Building 3", "Building 4"),
           "晚上和周末 Evenings and weekends", (time(13), time(21)), False),
}


def seed(users: dict[str, User], buildings: dict[str, Building]) -> None:
    """Both sign up, Wang approves them; 06:00–21:00 in two turns a day, from three days ago to three days ahead."""
    coordinator = users["wang"]
    community_id = coordinator.community_id
    for login, (team_keys, covered, availability, _, on_duty) in VOLUNTEERS.items():
        volunteer = users[login]
        profile = service.sign_up(
            volunteer, team_ids=[service.team_by_key(community_id, key).id for key in team_keys],
            building_ids=[buildings[name].id for name in covered], availability=availability,
        )
        service.decide(coordinator, profile, "approve")
        if on_duty:
            service.set_on_duty(volunteer, profile, True)
    today = service.local_today()
    for offset in range(-3, 4):
        day = today + timedelta(days=offset)
        for login, (team_keys, _, _, (start, end), _) in VOLUNTEERS.items():
            service.plan_shift(
                coordinator, user_id=users[login].id, team_id=service.team_by_key(community_id, team_keys[0]).id,
                starts_at=service.local_to_utc(datetime.combine(day, start)),
                ends_at=service.local_to_utc(datetime.combine(day, end)),
            )

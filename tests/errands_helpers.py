"""Builders for the errands tests: an errand in each of the desk's sections."""
from board.errands import service
from board.volunteers import service as crew


def errands_in_each_state(community, resident, neighbour, volunteer) -> dict:
    """One waiting in the queue (with a team), one the volunteer runs, one on the problems list with money owed."""
    medicine = crew.team_by_key(community.id, "medicine")
    waiting = service.place_errand(resident, household=resident.household, title="Blood pressure tablets",
                                   from_where="Pharmacy", budget=6000, team_id=medicine.id, urgency="urgent")
    running = service.place_errand(neighbour, household=neighbour.household, title="Rice 5 kg", payment="reimbursed")
    service.claim(running, volunteer)
    problem = service.place_errand(resident, household=resident.household, title="Eggs")
    service.claim(problem, volunteer)
    service.record_spent(problem, volunteer, amount=1200, receipt=None)
    service.act(problem, "report_problem", volunteer, outcome="not_home", note="rang twice")
    return {"waiting": waiting, "running": running, "problem": problem}
